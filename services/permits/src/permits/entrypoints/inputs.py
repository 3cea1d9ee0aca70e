"""The pieces of the permits service's request bodies: a strict body, bounded text, the ids and
plate numbers it accepts."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Text = Annotated[str, Field(min_length=1, max_length=200)]
ResidentId = Annotated[str, Field(pattern=r"^res_[A-Za-z0-9]{1,64}$", description="The registry's resident id.")]
MerchantId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,80}$", description="The delivery service's merchant id.")]
Department = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
# Province abbreviation, issuing-office letter, then 5 characters (6 for new-energy vehicles).
PLATE_RE = re.compile(r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z]"
                      r"(?:[A-HJ-NP-Z0-9]{5}|[DF][A-HJ-NP-Z0-9]{5}|[A-HJ-NP-Z0-9]{4}[挂学警])$")


class Body(BaseModel):
    """A strict request body: unknown fields refused, text stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
