from tortoise import migrations
from migrations._dialect import DescribeField
from models.social import LocationSource
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0015_partner_profiles_geo_index")]

    initial = False

    operations = [
        DescribeField(
            model_name="PartnerProfile",
            name="location_source",
            field=fields.CharEnumField(
                null=True,
                description="GEOCODED: geocoded\nMOVED_BY_PARTNER: moved_by_partner\nCOMMUNE_CENTRE: commune_centre",
                enum_type=LocationSource,
                max_length=24,
            ),
        ),
    ]
