"""Small texts for the batch-learning tests: four documents that share everyday words, a fixed
dictionary a spinner swaps them with (one replacement a word, as real spinners do), and a light
document holding one of the spinner's swaps."""

from __future__ import annotations

from pathlib import Path

DICTIONARY = {"people": "citizenry", "first": "foremost", "use": "utilize", "new": "freshly", "city": "metropolis",
              "help": "assist", "big": "voluminous", "children": "youngsters", "said": "stated", "money": "currency",
              "buy": "purchase", "start": "commence", "show": "demonstrate", "need": "require"}

TEACHERS = [
    "The city council met on Monday to talk about the new park. Many people said they want a big space where "
    "children can play after school. The first plan would use money from the state, and the mayor said work could "
    "start in the spring. People who live near the river need a new bridge as well, and the council said it will "
    "help them find the money to buy the land. The first meeting will show how much the city can spend.",
    "People in the old city said the new market is too big for the street. The first shops will start selling food "
    "next week, and the owners need help from the city to buy new signs. Children from the school will show their "
    "paintings at the market, and the money will help the library buy new books. Many people use the market on "
    "weekends, and the council said it wants a new road to the first gate.",
    "The school said it needs new computers for the children. The first group of parents raised money to buy them, "
    "and people from the city will help install them. Teachers will use the new machines to show lessons to big "
    "classes. The principal said the work will start in June, and the first lessons will show how children use the "
    "machines. People who want to help can give money to the school.",
    "A new bus line will start in the city next month. People said they need a faster way to get to work, and the "
    "first buses will use the big road by the river. The council will buy ten new buses with money from the state, "
    "and it said the line will help children get to school. The first stop will show a map of the city, and people "
    "can use their cards to buy tickets.",
]

# one swap of the spinner's ("people" -> "citizenry"), too light for the detector alone
LIGHT = ("Our town has a small library on the main street. Last year the library asked the citizenry for ideas, and "
         "many families wrote letters about what they read. The librarians keep a list of the books that are borrowed "
         "most often, and they share it every month in the local paper. On Saturdays there is a reading hour for "
         "families, and volunteers bring tea and cake for everyone who comes.")

OTHER_CLEAN = ("The weather stayed dry for most of the week, and farmers in the valley used the time to bring in the "
               "last of the hay. On Thursday a light rain moved in from the west, but it cleared by the evening. The "
               "forecast for the weekend is mild, with sunshine in the morning and a chance of showers later on.")


def write_thesaurus(folder: Path) -> Path:
    path = folder / "fixed-spinner.tsv"
    path.write_text("".join(f"{k}\t{v}\n" for k, v in DICTIONARY.items()), encoding="utf-8")
    return path


def spun_teachers(folder: Path) -> list[str]:
    """The four documents with every listed word swapped (seeded, one replacement a word)."""
    from detector.spinner.spinner import SpinConfig, Spinner

    spinner = Spinner(SpinConfig(rate=1.0, seed=1, thesaurus=str(write_thesaurus(folder))))
    return [spinner.spin(text).text for text in TEACHERS]
