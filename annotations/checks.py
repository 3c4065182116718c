"""System checks: settings that would otherwise fail at the first request that reads them."""

from django.core import checks

from annotations.selectors.quality import scoring


@checks.register()
def mqm_settings(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """MQM_SEVERITY_WEIGHTS and MQM_TYPE_WEIGHTS name real severities and types, with weights >= 0."""
    try:
        scoring()
    except (ValueError, TypeError, AttributeError) as error:
        return [checks.Error(f"MQM settings: {error}", id="copydesk.E001")]
    return []
