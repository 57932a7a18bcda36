"""The spatial frame (layer below the sources): the INSEE 200 m grid, exact overlaps of cells
with polygons, comparison zones (QPV, rest of commune, rest of EPCI) and their overlap
weights. Pure geometry: reads no file."""
