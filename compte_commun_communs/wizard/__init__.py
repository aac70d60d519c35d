from . import commons_resource_year_select
from . import tax_receipt_annual_create
