"""docs/measures.md names every instrument with the source and licence the code ships."""

from pathlib import Path

import pytest

from ketaclinic.measures.instruments import INSTRUMENTS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "measures.md").read_text()


@pytest.mark.parametrize("code", list(INSTRUMENTS))
def test_the_doc_states_each_instruments_source_and_licence(code):
    instrument = INSTRUMENTS[code]
    assert f"`{code}`" in DOC
    assert instrument.source in DOC
    assert instrument.licence in DOC
