"""Translation models out of the box: which ones a language needs (`table`), and fetching,
verifying, converting and removing them (`manage`). Importing this package is cheap."""
