"""Featured enterprises (重点宣传): the annual 工业五十强 and 年度突出贡献企业 lists, imported from
a spreadsheet, each with a feature page and a page per listed enterprise."""
