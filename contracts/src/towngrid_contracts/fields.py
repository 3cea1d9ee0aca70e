"""The field types events share, so each event's class says only its own field names.

``Id`` is any non-empty string: an opaque id, or a code such as an SKU (what it names is in the
field's name). A field may still add its own description: ``checked_by: StaffId =
Field(description="Opaque staff id of the checker.")``. These are plain ``Annotated`` types:
the JSON Schema of a field is the same as if its constraints were written out in place.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

NonEmpty = Annotated[str, Field(min_length=1)]
Id = NonEmpty
StaffId = Annotated[str, Field(min_length=1, description="Opaque staff id.")]
KeyLabel = Annotated[str, Field(min_length=1, max_length=32, description="Label of the key that now seals the data.")]
Province = Annotated[str, Field(pattern=r"^CN-[A-Z]{2}$")]
"""An ISO 3166-2:CN province code, e.g. CN-GD."""
CityCode = Annotated[str, Field(pattern=r"^\d{6}$")]
"""A GB/T 2260 code of a city or county."""
