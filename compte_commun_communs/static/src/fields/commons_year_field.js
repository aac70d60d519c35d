/** @odoo-module */
// A year is an integer printed without digit grouping: "2026", never "2 026" nor
// "2,026". The option enable_formatting=false of the integer widget does this for
// the field itself, but a list grouped by year prints the group's value in the
// year column with the widget's formatter, or else the grouping integer one.
import {integerField} from "@web/views/fields/integer/integer_field";
import {registry} from "@web/core/registry";

export function formatYear(value) {
    return value === false || value === undefined || value === null ? "" : String(value);
}

export const commonsYearField = {
    ...integerField,
    supportedOptions: [],
    extractProps: (fieldInfo, dynamicInfo) => ({
        ...integerField.extractProps(fieldInfo, dynamicInfo),
        formatNumber: false,
    }),
};

registry.category("fields").add("commons_year", commonsYearField);
registry.category("formatters").add("commons_year", formatYear);
