"""Translation models out of the box: fetching, verifying, listing, converting and removing
them (`manage`), in the background for the app (`job`). Which models a language pair needs
is the model table (`mtreview.model_table`). Importing this package is cheap."""
