"""How the site looks and speaks: theme resolution and files (themes), catalogues and
CLDR formats (i18n), sanitized Markdown (markup), the logo check (svgcheck), and the
sandboxed template environment (templates)."""
