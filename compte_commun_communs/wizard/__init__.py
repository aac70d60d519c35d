from . import commons_resource_year_select
from . import donation_tax_receipt_print
from . import tax_receipt_annual_create
