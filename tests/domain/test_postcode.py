import pytest

from grabpack.domain.postcode import InvalidPostcode, normalise_postcode


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("e1 4dg", "E1 4DG"),
        ("SW1A1AA", "SW1A 1AA"),
        (" n16  7hu ", "N16 7HU"),
        ("ec1a 1bb", "EC1A 1BB"),
        ("GIR0AA", "GIR 0AA"),
    ],
)
def test_normalises_valid_postcodes(raw, expected):
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize("raw", ["", "E1", "QQ1 1AA", "E1 4DGX", "12345", "E1 4CI"])
def test_rejects_malformed_postcodes(raw):
    with pytest.raises(InvalidPostcode):
        normalise_postcode(raw)
