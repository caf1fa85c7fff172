"""Forms of the knowledge-base pages. They only shape input; the services decide."""

from __future__ import annotations

from django import forms

from kb.models import Article, KnownIssue


class ArticleForm(forms.ModelForm):
    note = forms.CharField(
        required=False,
        max_length=200,
        label="What changed",
        help_text="Shown in the article's history.",
    )

    class Meta:
        model = Article
        fields = ["title", "kind", "category", "visibility", "status", "summary", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 22, "class": "mono"})}
        help_texts = {
            "body": "Markdown. Troubleshooting articles follow Symptoms, Cause, Solution, "
            "Prevention.",
            "visibility": "Public articles, once published, appear in the customers' help centre. "
            "Runbooks never do.",
        }


class SignaturesField(forms.CharField):
    """One error signature per line."""

    widget = forms.Textarea(attrs={"rows": 4, "class": "mono"})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class KnownIssueForm(forms.ModelForm):
    error_signatures = SignaturesField(
        required=False,
        help_text="One a line: normalised error messages, endpoints, exception names.",
    )

    class Meta:
        model = KnownIssue
        fields = [
            "external_id",
            "title",
            "component",
            "affected_versions",
            "status",
            "fix_version",
            "error_signatures",
            "symptoms",
            "workaround",
            "article",
        ]
        widgets = {
            "symptoms": forms.Textarea(attrs={"rows": 5}),
            "workaround": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["external_id"].disabled = True
        self.fields["article"].queryset = Article.objects.order_by("title")
        self.fields["article"].required = False


class FollowUpForm(forms.Form):
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=10_000)


class TicketKnownIssueForm(forms.Form):
    known_issue = forms.CharField(
        max_length=40, label="Known issue", help_text="Its id, for example KI-101."
    )
