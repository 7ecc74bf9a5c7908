"""The plugin manager: built-in plugins and entry-point plugins, loaded once."""

import pluggy

from sdv_fairdistill.plugins import hookspecs

BUILTIN_PLUGINS = (
    'sdv_fairdistill.adapters.tabular',
    'sdv_fairdistill.adapters.image',
)

plugin_manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
plugin_manager.add_hookspecs(hookspecs)

_loaded = False


def _load_plugins():
    global _loaded
    if _loaded:
        return
    import importlib

    for module_name in BUILTIN_PLUGINS:
        module = importlib.import_module(module_name)
        if not plugin_manager.is_registered(module):
            plugin_manager.register(module, name=module_name)
    plugin_manager.load_setuptools_entrypoints(hookspecs.PROJECT_NAME)
    _loaded = True


def _adapters():
    _load_plugins()
    adapters = {}

    def register(kind, adapter_class):
        if kind in adapters and adapters[kind] is not adapter_class:
            raise ValueError(
                f"Two plugins register a data adapter named '{kind}': "
                f'{adapters[kind].__module__} and {adapter_class.__module__}.'
            )
        adapters[kind] = adapter_class

    plugin_manager.hook.register_adapters(register=register)
    return adapters


def list_adapters():
    """Return the names of every registered data adapter."""
    return sorted(_adapters())


def get_adapter_class(kind):
    """Return the adapter class registered under ``kind``."""
    adapters = _adapters()
    if kind not in adapters:
        raise ValueError(
            f"No data adapter named '{kind}'. Registered adapters: {sorted(adapters)}. "
            "Install the plugin that provides it or register it with the 'register_adapters' hook."
        )
    return adapters[kind]
