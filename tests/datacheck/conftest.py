"""Fixtures for data checking: welfare's cases and actors, a death register and a vehicle register."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from datacheck import services
from datacheck.models import Effect
from tests.conftest import api_client_for
from tests.welfare import conftest as welfare

# Welfare's fixtures and helpers: the standards, the actors, a household with active dibao.
_standards = welfare._standards
actors = welfare.actors
admin_user = welfare.admin_user
dibao_household = welfare.dibao_household
district_approver = welfare.district_approver
sd_approver = welfare.sd_approver
make_person = welfare.make_person


@pytest.fixture
def death_source(admin_user):
    return services.data_source_register(
        actor=admin_user, department="公安局", item="死亡人员信息", effect=Effect.DEATH
    )


@pytest.fixture
def vehicle_source(admin_user):
    return services.data_source_register(
        actor=admin_user, department="公安局交警支队", item="机动车登记信息", effect=Effect.REVIEW
    )


def csv_bytes(rows: list[tuple], header: tuple = ("id_number", "event_date")) -> bytes:
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def load_extract(admin, source, rows, header=("id_number", "event_date")):
    """Upload and commit an extract through the services; the committed extract."""
    extract = services.extract_upload(
        actor=admin, source=source, file_name="extract.csv", content=csv_bytes(rows, header)
    )
    assert extract.status == "previewed", extract.errors
    return services.extract_commit(actor=admin, extract=extract)


def run_cross_check(admin):
    run = services.cross_check_run_start(actor=admin)
    return services.cross_check_run_execute(run_id=run.pk)


def upload_via_api(admin, source_id: int, content: bytes, name: str = "extract.csv"):
    client = api_client_for(admin)
    return client.post(
        f"/api/v1/data-sources/{source_id}/extracts/",
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
    )
