from . import account_move_commons_send_back
from . import account_move_reversal
from . import account_payment_register
from . import commons_resource_year_select
from . import commons_settings
from . import donation_donation_cancel
from . import donation_tax_receipt_print
from . import tax_receipt_annual_create
