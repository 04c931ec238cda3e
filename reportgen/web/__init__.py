"""`reportgen serve`: the upload pages of the units and the status page of the office.

`reportgen.web.links` has no web framework in it, so the forms and the distribution pack can
print each unit's link without importing Flask.
"""
