"""KopNet's date styles, one per language (settings.FORMAT_MODULE_PATH).

Django's own differ from page to page: English writes "Oct. 2, 2017" in sentences
and "08/24/2024" (month first) in tables, Indonesian "2 Okt 2017" and "24-08-2024".
Ours, everywhere (the site's pages and the admin's), in both languages:

    Indonesian  24 Agustus 2024    short 24/08/2024    time 14.30
    English     24 August 2024     short 2024-08-24    time 14:30

The day comes first in the long style of both. English's short style is ISO: the
registry's English readers are partners abroad, to whom 08/05/2024 means either May
or August, and it is what English date fields already show and accept. Only the
styles that are written are set here: how dates are typed in (the *_INPUT_FORMATS)
and the numbers' separators stay Django's for each language.
"""
