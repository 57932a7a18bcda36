"""What every surface shows the same way: French formatting, mappable quantities, map classes.

The web map, the offline ``carte.html`` and the PDF maps take their classes, colours and
legend wording from here, so a cell falls in the same class with the same words on all three.
"""
