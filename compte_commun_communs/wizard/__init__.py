from . import commons_resource_year_select
