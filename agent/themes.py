"""Eras, regions and everyday settings a request can name, and what each one puts in the gallery.

Used by `agent.gazetteer`. Aliases are folded lower case ("moyen age" for "Moyen Âge"),
"|"-separated. Items are English prompts for the text-to-3D Space (landmark names
exactly as the gazetteer spells them).

  * A theme (an era or region: "ancient Rome", "Japanese temples") stands for a set of
    landmarks and period objects, the way a place stands for its landmarks.
  * A setting (an everyday scene: "a desk", "a museum room", "a farm") is where the
    objects are, not an object itself. Its `anchor` objects are always shown (a desk
    scene shows the desk; a museum room shows no "room"); its `defaults` are shown
    when the request lists nothing; `rewrites` say what a bare word means there
    ("lamp" at a desk is a desk lamp, in a park a street lamp).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["EVERYDAY_NOUNS", "SETTINGS", "THEMES", "Setting", "Theme"]


@dataclass(frozen=True)
class Theme:
    """An era or region. `items`: its landmarks and period objects, in gallery order."""

    title: str
    aliases: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Setting:
    """An everyday scene; see the module docstring for `anchor`, `defaults` and `rewrites`."""

    title: str
    aliases: str
    anchor: tuple[str, ...] = ()
    defaults: tuple[str, ...] = ()
    rewrites: dict[str, str] = field(default_factory=dict)


THEMES: tuple[Theme, ...] = (
    Theme("Ancient Rome", "ancient rome|roman empire|ancient romans|imperial rome|roman antiquity|rome antique|"
          "antiquite romaine|empire romain|roman ruins|ancient roman",
          ("Colosseum", "Trajan's Column", "roman temple", "aqueduct", "triumphal arch", "amphora")),
    Theme("Ancient Egypt", "ancient egypt|ancient egyptians|ancient egyptian|pharaohs|egypt of the pharaohs|"
          "egypte antique|egypte ancienne|egypte des pharaons|antiquite egyptienne",
          ("Great Pyramid of Giza", "Great Sphinx of Giza", "obelisk", "camel", "palm tree")),
    Theme("Ancient Greece", "ancient greece|ancient greeks|ancient greek|classical greece|grece antique|"
          "antiquite grecque",
          ("Parthenon", "greek temple", "column", "amphora", "statue")),
    Theme("Medieval", "medieval|mediaeval|middle ages|medieval village|medieval town|medieval times|moyen age|"
          "medievale|medieval castle town",
          ("castle", "church", "windmill", "well", "cart", "horse", "knight")),
    Theme("Japanese temples", "japanese temples|japanese temple|temples of japan|japanese shrines|japanese shrine|"
          "japanese garden|zen garden|traditional japan|old japan|kyoto|temples japonais|temple japonais|"
          "jardin japonais|japon traditionnel",
          ("Senso-ji Pagoda", "torii gate", "stone lantern", "bonsai tree", "pink cherry tree")),
    Theme("Wild West", "wild west|old west|far west|western town|cowboy town",
          ("house", "horse", "cart", "well", "saguaro cactus", "water trough")),
)

SETTINGS: tuple[Setting, ...] = (
    Setting("Desk", "desk|work desk|writing desk|office desk|desk setup|desktop|bureau",
            ("desk",), ("desk", "laptop", "desk lamp", "mug", "potted plant", "books"),
            {"lamp": "desk lamp", "chair": "office chair", "cup": "mug", "plant": "potted plant"}),
    Setting("Office", "office|home office|study|workspace|open space",
            ("desk",), ("desk", "office chair", "monitor", "keyboard", "bookshelf", "potted plant"),
            {"lamp": "desk lamp", "chair": "office chair", "cup": "mug", "plant": "potted plant"}),
    Setting("Kitchen", "kitchen|cuisine",
            ("kitchen counter",), ("fridge", "stove", "sink", "kitchen counter", "kettle", "toaster"),
            {"table": "kitchen table", "cup": "mug"}),
    Setting("Living room", "living room|lounge|sitting room|family room|salon|sejour",
            ("sofa",), ("sofa", "armchair", "coffee table", "television", "bookshelf", "floor lamp", "rug"),
            {"lamp": "floor lamp", "table": "coffee table", "plant": "potted plant"}),
    Setting("Bedroom", "bedroom|chambre|chambre a coucher",
            ("bed",), ("bed", "nightstand", "wardrobe", "desk lamp", "rug"),
            {"lamp": "desk lamp", "table": "nightstand"}),
    Setting("Dining room", "dining room|salle a manger",
            ("dining table",), ("dining table", "chair", "chair", "chair", "chair", "vase"), {"lamp": "floor lamp"}),
    Setting("Classroom", "classroom|school room|salle de classe",
            (), ("desk", "chair", "globe", "books", "clock"), {"table": "desk"}),
    Setting("Café", "cafe|coffee shop|tea room|salon de the",
            (), ("dining table", "chair", "mug", "teapot", "teacup"), {"cup": "mug"}),
    Setting("Museum room", "museum room|museum|museum hall|gallery room|exhibition room|exhibition hall|"
            "salle de musee|musee|salle d exposition",
            (), ("statue", "amphora", "painting", "column", "vase"), {}),
    Setting("Room", "room|salle|piece",
            (), ("sofa", "armchair", "coffee table", "floor lamp", "rug"), {}),
    Setting("Playground", "playground|play area|play park|aire de jeux|aire de jeu|jeux pour enfants",
            (), ("slide", "swing set", "seesaw", "sandbox", "roundabout", "climbing frame"),
            {"swing": "swing set", "lamp": "street lamp", "roundabout": "roundabout"}),
    Setting("Farm", "farm|farmyard|barnyard|ferme|basse cour",
            (), ("barn", "silo", "tractor", "cow", "pig", "sheep", "chicken", "hay bale"),
            {"lamp": "street lamp"}),
    Setting("Park", "park|parc|public garden|garden|jardin",
            (), ("oak tree", "bench", "fountain", "street lamp", "flower", "bush"), {"lamp": "street lamp"}),
    Setting("Zoo", "zoo|safari park|safari",
            (), ("elephant", "giraffe", "camel", "deer", "palm tree"), {}),
    Setting("Beach", "beach|seaside|plage|bord de mer",
            (), ("palm tree", "parasol", "sailboat", "lighthouse"), {"umbrella": "parasol"}),
    Setting("Campsite", "campsite|campground|camping",
            (), ("tent", "pine tree", "bicycle", "cart"), {"lamp": "lantern"}),
)

#: Object words that make a one-phrase request buildable without an article ("laptop", "bonsai").
EVERYDAY_NOUNS = frozenset("""
desk chair sofa couch armchair bed bookshelf bookcase wardrobe dresser cabinet stool nightstand mug cup teacup plate
bowl teapot glass bottle vase kettle apple fridge refrigerator stove oven sink counter microwave toaster saucepan pan
laptop monitor phone smartphone lamp television tv keyboard speaker computer locomotive tractor bicycle motorcycle
airplane helicopter balloon cart bonsai plant cactus flower tulip sunflower bush mushroom cat dog horse cow pig sheep
elephant giraffe camel deer chicken duck slide swing seesaw sandbox roundabout barn silo hay fence scarecrow well
trough amphora torii pagoda books painting rug carpet piano guitar tent trophy umbrella parasol""".split())
