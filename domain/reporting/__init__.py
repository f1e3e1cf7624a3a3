"""The programme's figures for the département's staff: aggregates only, nobody's data."""
