"""Forms of the business case's figures: the years appraised and currency, and its money lines.

A money line's amounts are entered in one box per year appraised, so the form can never hold
more years than the case counts, and each problem is reported by line and year ("“Sensors”,
year 3: …") both beside the box and in the list at the top of the form.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Benefit, BusinessCase, Cost

# Twelve digits before the point is a trillion: far beyond any city's budget line, and it keeps
# a typing slip (an extra row of zeros pasted in) from passing unnoticed.
LARGEST = Decimal("1e12")


class BusinessCaseSettingsForm(forms.ModelForm):
    class Meta:
        model = BusinessCase
        fields = ["years", "currency"]
        widgets = {"years": forms.NumberInput(attrs={"min": 1, "max": 15})}
        help_texts = {"currency": _("Its three-letter code, such as EUR, GBP or USD.")}

    def clean_currency(self) -> str:
        code = self.cleaned_data["currency"].strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise ValidationError(
                _("Give the currency as its three-letter code, such as EUR, GBP or USD.")
            )
        return code


class MoneyLineForm(forms.ModelForm):
    """A benefit or a cost, with one amount box per year the case appraises.

    Years left blank count as nothing. Amounts a line holds beyond the years appraised (the
    case was appraised over more years before) are kept, untouched, for when it is again."""

    line_name = _("this line")

    class Meta:
        fields = ["kind", "description", "note"]
        widgets = {"kind": forms.RadioSelect, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, years: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = years
        # The kind is always one of its choices: no blank "---------" radio button.
        self.fields["kind"].choices = self._meta.model._meta.get_field("kind").choices
        current = self.instance.yearly(years) if self.instance.pk else []
        for year in range(1, years + 1):
            self.fields[f"year_{year}"] = forms.CharField(
                label=gettext("Year %(year)d") % {"year": year},
                required=False,
                initial=format(current[year - 1], "f") if current else "",
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 10}),
            )

    def year_fields(self) -> list[forms.BoundField]:
        return [self[f"year_{year}"] for year in range(1, self.years + 1)]

    def problems(self) -> list[str]:
        """Every error, for the list at the top of the form: a year's message already names
        the line and year; any other is prefixed with its field's label."""
        found = list(self.non_field_errors())
        for field in self:
            for error in field.errors:
                found.append(error if field.name.startswith("year_") else f"{field.label}: {error}")
        return found

    def clean(self) -> dict:
        cleaned = super().clean()
        name = cleaned.get("description") or self.line_name
        amounts = []
        for year in range(1, self.years + 1):
            field = f"year_{year}"
            try:
                amounts.append(parse_amount(cleaned.get(field, "")))
            except ValidationError as problem:
                message = gettext("“%(line)s”, year %(year)d: %(problem)s") % {
                    "line": name,
                    "year": year,
                    "problem": problem.message,
                }
                self.add_error(field, message)
        if len(amounts) == self.years:
            self.instance.amounts = [format(a, "f") for a in amounts] + list(
                self.instance.amounts[self.years :]
            )
        return cleaned


def parse_amount(text: str) -> Decimal:
    """An amount as typed: blank is nothing; otherwise a plain number, zero or more."""
    text = text.strip().replace(" ", "")
    if not text:
        return Decimal(0)
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not re.fullmatch(r"[+-]?[\d.]+", text):
        raise ValidationError(
            gettext(
                "“%(text)s” is not a number. Write the amount in figures only, such as 1200 or "
                "1200.50, without the currency or separators."
            )
            % {"text": text}
        )
    if value < 0:
        raise ValidationError(
            gettext(
                "amounts are zero or more. Enter a saving as a benefit, not as a negative cost."
            )
        )
    if value.as_tuple().exponent < -2:
        raise ValidationError(gettext("use at most two decimal places."))
    if value >= LARGEST:
        raise ValidationError(gettext("that is more than a trillion; check for extra zeros."))
    return value


class BenefitForm(MoneyLineForm):
    line_name = _("this benefit")

    class Meta(MoneyLineForm.Meta):
        model = Benefit
        help_texts = {
            "kind": _(
                "Cash-releasing: money no longer spent. Non-cash: staff time or effort saved, "
                "valued in money. Social: value to people and places, valued in money."
            ),
        }


class CostForm(MoneyLineForm):
    line_name = _("this cost")

    class Meta(MoneyLineForm.Meta):
        model = Cost
        help_texts = {
            "kind": _(
                "One-off: paid once to set the service up. Recurring: paid again each year to "
                "run it, including staff time."
            ),
        }
