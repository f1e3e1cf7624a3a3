from datetime import date

import pytest
from argon2 import extract_parameters

from domain.accounts.passwords import check_password_policy, hash_password, verify_password
from domain.core.errors import DomainError


async def test_hashes_use_argon2id_with_at_least_owasp_parameters():
    stored = await hash_password("Bouillabaisse-du-port-1")
    params = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert params.memory_cost >= 19 * 1024
    assert params.time_cost >= 2
    assert params.parallelism == 1
    assert await verify_password("Bouillabaisse-du-port-1", stored)
    assert not await verify_password("bouillabaisse-du-port-1", stored)
    assert not await verify_password("n'importe quoi", None)


@pytest.mark.parametrize(
    "password",
    [
        "court",
        "Lina-Rossi-99",
        "lina.rossi.99!",
        "ROSSI-Lina-ok",
        "Mon-anniv-03022012",
        "aaaaaaaaaaaa",
        "x" * 129,
    ],
)
def test_policy_refuses_short_long_simple_or_personal_passwords(password):
    with pytest.raises(DomainError) as refused:
        check_password_policy(
            password,
            email="lina.rossi@jeune.test",
            first_name="Lina",
            last_name="Rossi",
            birth_date=date(2012, 2, 3),
        )
    assert refused.value.code == "WEAK_PASSWORD"


def test_policy_accepts_a_long_unrelated_passphrase():
    check_password_policy(
        "Sardines-Grillees-7",
        email="lina.rossi@jeune.test",
        first_name="Lina",
        last_name="Rossi",
        birth_date=date(2012, 2, 3),
    )
