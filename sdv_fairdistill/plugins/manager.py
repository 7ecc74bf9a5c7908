"""The plugin manager: built-in plugins and entry-point plugins, loaded once.

A third-party plugin that fails (its entry point does not import, its hook raises or
registers something that is no adapter) is left out with a warning that names it: one broken
plugin must not stop the built-in adapters, which every synthesizer needs.
"""

import importlib
import warnings
from importlib.metadata import entry_points

import pluggy

from sdv_fairdistill.plugins import hookspecs

BUILTIN_PLUGINS = (
    'sdv_fairdistill.adapters.tabular',
    'sdv_fairdistill.adapters.image',
)

plugin_manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
plugin_manager.add_hookspecs(hookspecs)

_loaded = False
_warned = set()


def _load_plugins():
    """Register the built-in plugins, then each entry-point plugin (once per process)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module_name in BUILTIN_PLUGINS:
        module = importlib.import_module(module_name)
        if not plugin_manager.is_registered(module):
            plugin_manager.register(module, name=module_name)
    # pluggy's load_setuptools_entrypoints, one entry point at a time: its loop stops at the
    # first that fails to import or to register, and so would every synthesizer.
    for entry_point in entry_points(group=hookspecs.PROJECT_NAME):
        if (plugin_manager.get_plugin(entry_point.name)
                or plugin_manager.is_blocked(entry_point.name)):
            continue
        try:
            plugin_manager.register(entry_point.load(), name=entry_point.name)
        except Exception as error:  # noqa: BLE001 - any plugin's failure, reported
            _warn_once(entry_point.name, f'{type(error).__name__}: {error}')


def _adapters():
    """``{kind: adapter_class}`` from every plugin's ``register_adapters``, the built-in
    plugins' first, each plugin called through pluggy on its own (module docstring)."""
    _load_plugins()
    try:  # a plugin's hook whose name no specification has (a misspelling) is never called
        plugin_manager.check_pending()
    except pluggy.PluginValidationError as error:
        _warn_once(_name(error.plugin), f'a hook that is never called ({error})')
    plugins = [plugin for _, plugin in plugin_manager.list_name_plugin()]
    builtin = [plugin for plugin in plugins if plugin_manager.get_name(plugin) in BUILTIN_PLUGINS]
    adapters = {}
    for plugin in builtin + [plugin for plugin in plugins if plugin not in builtin]:
        found = {}
        others = [other for other in plugins if other is not plugin]
        call = plugin_manager.subset_hook_caller('register_adapters', remove_plugins=others)
        try:
            returned = call(register=_registrar(adapters, found))
        except Exception as error:  # noqa: BLE001 - any plugin's failure, reported below
            if plugin in builtin:
                raise
            _warn_once(_name(plugin), f'{type(error).__name__}: {error}')
            continue
        if returned and not found:
            _warn_once(_name(plugin), 'its register_adapters returned a value instead of '
                       'calling register(kind, adapter_class)')
        adapters.update(found)
    return adapters


def _registrar(adapters, found):
    """The ``register`` a plugin's hook calls: checks its arguments, collects into ``found``."""
    from sdv_fairdistill.adapters.base import DataAdapter  # adapters import this package

    def register(kind, adapter_class):
        if not isinstance(kind, str) or not kind:
            raise TypeError(f'register(kind, adapter_class) takes a name as kind, got {kind!r}.')
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

    return register


def _name(plugin):
    """A plugin as a warning names it: its registered name, unless pluggy made one up (the
    object's id), then its class or module name."""
    name = plugin_manager.get_name(plugin)
    if name is None or name.isdigit():
        name = getattr(plugin, '__name__', type(plugin).__name__)
    return name


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
