"""Training paths and progress (parcours de formation): catalogue, editor, progress views, the
workshop matrix, the next-step hint of the person page and the session form's progress panel."""
