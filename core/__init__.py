"""Pure-Python domain logic of Tandai: no Qt, no peewee, nothing from the layers above."""
