"""What the footer of a government site must show (政府网站发展指引, 国办发〔2017〕47号): the
sponsor, the site identifier, the ICP and public-security filing numbers (each linked to its
register), the 党政机关网站 mark, 「我为政府网站找错」, contact and address. All are settings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.settings import Settings

ICP_REGISTER = "https://beian.miit.gov.cn/"
POLICE_REGISTER = "https://beian.mps.gov.cn/#/query/webSearch"
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Footer:
    sponsor: str
    identifier: str = ""
    icp: str = ""
    police: str = ""
    contact: str = ""
    address: str = ""
    dzjg_url: str = ""
    error_report_url: str = ""

    @property
    def icp_url(self) -> str:
        return ICP_REGISTER

    @property
    def police_url(self) -> str:
        """The record's own page in the register, found by the number in it."""
        digits = "".join(_DIGITS.findall(self.police))
        return f"{POLICE_REGISTER}?code={digits}" if digits else POLICE_REGISTER


def footer_of(settings: Settings) -> Footer:
    return Footer(sponsor=settings.site_sponsor or settings.site_title,
                  identifier=settings.site_identifier, icp=settings.site_icp,
                  police=settings.site_police_record, contact=settings.site_contact,
                  address=settings.site_address, dzjg_url=settings.site_dzjg_url,
                  error_report_url=settings.site_error_report_url)
