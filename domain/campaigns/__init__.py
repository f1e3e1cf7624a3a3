"""Marketing campaigns: drafting, the audience, the content per channel, sending in batches and the
send rate.
"""
