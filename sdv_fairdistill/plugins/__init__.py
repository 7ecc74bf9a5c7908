"""pluggy plugin system: hook specifications and the plugin manager."""

from sdv_fairdistill.plugins.hookspecs import hookimpl
from sdv_fairdistill.plugins.manager import get_adapter_class, list_adapters, plugin_manager

__all__ = ('hookimpl', 'get_adapter_class', 'list_adapters', 'plugin_manager')
