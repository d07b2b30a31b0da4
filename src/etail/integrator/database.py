"""Open the integrator database of one process: key file, migrations, the installed app."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from etail.crypto import SecretBox
from etail.integrator.install import install_jet_netsuite
from etail.settings import Settings
from etail.storage.db import make_engine, session_factory, session_scope, upgrade


@dataclass(frozen=True)
class IntegratorDb:
    engine: Engine
    sessions: sessionmaker[Session]
    box: SecretBox

    def dispose(self) -> None:
        self.engine.dispose()


def open_db(settings: Settings) -> IntegratorDb:
    """Create ``$ETAIL_HOME`` and the key file if needed, migrate, install the app."""
    settings.home.mkdir(parents=True, exist_ok=True)
    box = SecretBox.from_key_file(settings.key_file, settings.secret_keys)
    url = settings.integrator_db_url
    upgrade(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    with session_scope(sessions) as session:
        install_jet_netsuite(session, box)
    return IntegratorDb(engine, sessions, box)
