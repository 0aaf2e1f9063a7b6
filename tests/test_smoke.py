from datetime import date

from sqlmodel import Session, select

from storage.models import Person


def test_person_roundtrip(engine) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        s.add(Person(id="p1", name="Pat", role="social_worker", role_start=date(2024, 1, 1)))
        s.commit()
    with Session(engine) as s:
        p = s.exec(select(Person)).one()
        assert p.timezone == "Europe/London"
