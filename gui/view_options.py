"""View ▸ Label names on spans and View ▸ High contrast: two checkable entries, remembered in
the settings, that tell the article view how to paint (gui.article_view). The window makes
them once; each workspace it builds (one per project opened) gets them through
:meth:`ViewOptions.apply`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from gui.article_view import ArticleView

TAGS_KEY = "view/label_tags"
CONTRAST_KEY = "view/high_contrast"


def _flag(settings: QSettings, key: str, default: bool) -> bool:
    value = settings.value(key, default)
    return value if isinstance(value, bool) else str(value).lower() in ("true", "1")


@dataclass
class ViewOptions:
    tags: QAction
    high_contrast: QAction

    def apply(self, view: ArticleView) -> None:
        view.set_options(tags=self.tags.isChecked(), high_contrast=self.high_contrast.isChecked())


def add_view_options(
    menu: QMenu,
    settings: QSettings,
    parent: QWidget,
    view: Callable[[], ArticleView | None],
) -> ViewOptions:
    """Add the two entries to ``menu`` as the settings remember them; each change is saved
    and applied to the article view ``view()`` returns."""
    tags = QAction("Label &names on spans", parent, checkable=True)
    contrast = QAction("&High contrast", parent, checkable=True)
    tags.setChecked(_flag(settings, TAGS_KEY, True))
    contrast.setChecked(_flag(settings, CONTRAST_KEY, False))

    def on_tags(on: bool) -> None:
        settings.setValue(TAGS_KEY, on)
        if (shown := view()) is not None:
            shown.set_options(tags=on)

    def on_contrast(on: bool) -> None:
        settings.setValue(CONTRAST_KEY, on)
        if (shown := view()) is not None:
            shown.set_options(high_contrast=on)

    tags.toggled.connect(on_tags)
    contrast.toggled.connect(on_contrast)
    menu.addActions([tags, contrast])
    return ViewOptions(tags, contrast)
