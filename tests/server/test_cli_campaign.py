"""`cjeune campaign send ID`: starts the campaign, shows a progress bar until it is sent,
then the figures; without REDIS_URL the command's own process runs the jobs."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from domain.accounts.viewer import Viewer
from domain.campaigns import management as campaigns
from domain.campaigns.audience import Segment
from models.accounts import StaffRole
from models.campaigns import Campaign, CampaignRecipient, CampaignStatus
from models.notifications import Channel as CampaignChannel
from tests.factories import partner_team, staff_member
from tests.push.test_campaigns import follower

ROOT = Path(__file__).parents[2]


async def cjeune(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        *args,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, out.decode(), err.decode()


async def test_campaign_send_shows_progress_and_the_figures(settings, tmp_path):
    partner = (await partner_team()).partner
    for age in (16, 19, 23):
        await follower(partner, age, device=False)
    campaign = await campaigns.create_campaign(
        Viewer(user=await staff_member(StaffRole.MARKETING)),
        campaigns.CampaignDraft(
            name="Fête de la science",
            channels=[CampaignChannel.EMAIL, CampaignChannel.IN_APP],
            subject="Les ateliers de la Fête de la science",
            title="Fête de la science",
            body="Des ateliers gratuits près de chez toi.",
            segment=Segment(partner_ids=(partner.id,)),
        ),
    )
    env = {
        "ENVIRONMENT": "test",
        "DATABASE_URL": settings.database_url,
        "CJEUNE_DATA_DIR": str(tmp_path),
        "EMAIL_BACKEND": "outbox",
        "REDIS_URL": "",
    }

    code, out, err = await cjeune("campaign", "send", str(campaign.id), env=env)

    assert code == 0, err
    assert "[==============================] 6/6" in err
    assert "Campagne « Fête de la science » : terminée." in out
    assert "email   ciblés 3, envoyés 3, échecs 0, écartés 0, restants 0" in out
    assert (await Campaign.get(id=campaign.id)).status == CampaignStatus.COMPLETED
    assert await CampaignRecipient.filter(campaign_id=campaign.id, status="sent").count() == 6
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 3

    code, out, _ = await cjeune("campaign", "send", str(campaign.id), env=env)
    assert code == 1 and "la campagne est terminée" in out + _
