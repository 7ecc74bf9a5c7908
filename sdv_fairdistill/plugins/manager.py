"""The plugin manager: built-in plugins and entry-point plugins, loaded once."""

import warnings

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
    try:  # a plugin's hook whose name no specification has (a misspelling) is never called
        plugin_manager.check_pending()
    except pluggy.PluginValidationError as error:
        warnings.warn(f'An sdv_fairdistill plugin has a hook that is never called: {error}')


def _adapters():
    """``{kind: adapter_class}`` from every plugin's ``register_adapters``. A third-party
    plugin that fails (raises, registers something that is no adapter) is left out with a
    warning that names it: one broken plugin must not stop the built-in adapters, which
    every synthesizer needs."""
    from sdv_fairdistill.adapters.base import DataAdapter  # adapters import this package

    _load_plugins()
    adapters = {}
    for hook in plugin_manager.hook.register_adapters.get_hookimpls():
        found = {}

        def register(kind, adapter_class, found=found):  # this plugin's ``found``
            if not isinstance(kind, str) or not kind:
                raise TypeError(f'register(kind, adapter_class) takes a name as kind, got '
                                f'{kind!r}.')
            if not (isinstance(adapter_class, type) and issubclass(adapter_class, DataAdapter)):
                raise TypeError(
                    f"register('{kind}', ...) takes a subclass of "
                    f'sdv_fairdistill.adapters.base.DataAdapter, got {adapter_class!r}.'
                )
            if kind in adapters and adapters[kind] is not adapter_class:
                raise ValueError(
                    f"Two plugins register a data adapter named '{kind}': "
                    f'{adapters[kind].__module__} and {adapter_class.__module__}.'
                )
            found[kind] = adapter_class

        try:
            returned = hook.function(register=register)
        except Exception as error:  # noqa: BLE001 - any plugin's failure, reported below
            if hook.plugin_name in BUILTIN_PLUGINS:
                raise
            _warn_once(hook.plugin_name, f'{type(error).__name__}: {error}')
            continue
        if returned is not None and not found:
            _warn_once(hook.plugin_name, 'its register_adapters returned a value instead of '
                       'calling register(kind, adapter_class)')
        adapters.update(found)
    return adapters


_warned = set()


def _warn_once(plugin_name, problem):
    """Warn, once per plugin and problem, that a plugin's adapters are left out."""
    if (plugin_name, problem) not in _warned:
        _warned.add((plugin_name, problem))
        warnings.warn(
            f"The sdv_fairdistill plugin '{plugin_name}' was skipped: {problem}. Its adapters "
            'are not available; fix or uninstall the plugin.'
        )


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
