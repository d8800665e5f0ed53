"""The cookiecutter-city template, shipped in kleroterion's wheel.

A package (``kleroterion.cookiecutter_city``) only so that the wheel carries the
template: ``kleroterion new-city`` hands this folder to cookiecutter
(``kleroterion.cli.newcity.template_path``). The generated package's
``__init__.py`` is named ``{{cookiecutter.__init_module}}`` here, so that no
``__init__.py`` of the template passes for one of kleroterion's own packages.
"""
