from . import test_commons_resource
from . import test_commons_resource_need
from . import test_commons_resource_figures
from . import test_commons_security
from . import test_commons_tour
from . import test_commons_public_page
from . import test_commons_portal
