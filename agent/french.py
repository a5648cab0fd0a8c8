"""French words the request reader translates to English prompts: nouns (objects) and adjectives (colours, sizes).

Keys are folded lower case without accents ("chene", "bac a sable"); multi-word keys are matched first.
Used by `agent.gazetteer`.
"""

from __future__ import annotations

__all__ = ["FR_ADJECTIVES", "FR_WORDS"]

FR_WORDS: dict[str, str] = {
    "phare": "lighthouse", "chene": "oak tree", "arbre": "tree", "moulin a vent": "windmill", "moulin": "windmill",
    "maison": "house", "tour": "tower", "pont": "bridge", "statue": "statue", "chateau": "castle", "eglise": "church",
    "pyramide": "pyramid", "dome": "dome", "arc": "arch", "bateau": "boat", "voiture": "car", "fontaine": "fountain",
    "cathedrale": "cathedral", "obelisque": "obelisk", "colonne": "column", "sapin": "fir tree", "palmier": "palm tree",
    "fleur": "flower", "pomme": "apple", "chaise": "chair", "lampe": "lamp", "chat": "cat", "chien": "dog",
    "cheval": "horse", "vache": "cow", "grange": "barn", "montagne": "mountain", "rocher": "rock", "banc": "bench",
    "avion": "airplane", "fusee": "rocket", "navire": "ship", "velo": "bicycle", "gratte ciel": "skyscraper",
    "cabane": "cabin", "theiere": "teapot", "tasse": "cup",
    "bureau": "desk", "ordinateur portable": "laptop", "ordinateur": "computer", "telephone portable": "phone",
    "telephone": "phone", "tasse a cafe": "coffee mug", "lampe de bureau": "desk lamp", "ecran": "monitor",
    "clavier": "keyboard", "canape": "sofa", "fauteuil": "armchair", "lit": "bed", "etagere": "bookshelf",
    "bibliotheque": "bookshelf", "armoire": "wardrobe", "commode": "dresser", "tabouret": "stool",
    "table basse": "coffee table", "table de chevet": "nightstand", "assiette": "plate", "bol": "bowl",
    "bouteille": "bottle", "bouilloire": "kettle", "refrigerateur": "fridge", "frigo": "fridge", "four": "oven",
    "cuisiniere": "stove", "evier": "sink", "grille pain": "toaster", "casserole": "saucepan", "poele": "frying pan",
    "locomotive a vapeur": "steam locomotive", "camion": "truck", "autobus": "bus", "tracteur": "tractor",
    "moto": "motorcycle", "helicoptere": "helicopter", "montgolfiere": "hot air balloon", "charrette": "cart",
    "plante": "potted plant", "plante verte": "potted plant", "tournesol": "sunflower", "buisson": "bush",
    "champignon": "mushroom", "cochon": "pig", "mouton": "sheep", "poule": "chicken", "canard": "duck",
    "girafe": "giraffe", "chameau": "camel", "cerf": "deer", "toboggan": "slide", "balancoire": "swing set",
    "bascule": "seesaw", "bac a sable": "sandbox", "tourniquet": "roundabout", "botte de foin": "hay bale",
    "foin": "hay bale", "cloture": "fence", "barriere": "fence", "epouvantail": "scarecrow", "puits": "well",
    "abreuvoir": "trough", "amphore": "amphora", "pagode": "pagoda", "lanterne de pierre": "stone lantern",
    "livre": "book", "tableau": "painting", "tapis": "rug", "guitare": "guitar", "tente": "tent",
    "horloge": "clock", "pendule": "clock", "tele": "television", "enceinte": "speaker", "trophee": "trophy",
    "verre a vin": "wine glass", "bonsai": "bonsai tree", "chaton": "kitten", "chiot": "puppy", "mouton blanc": "white sheep",
}
FR_ADJECTIVES: dict[str, str] = {
    "rouge": "red", "bleu": "blue", "bleue": "blue", "vert": "green", "verte": "green", "blanc": "white",
    "blanche": "white", "noir": "black", "noire": "black", "jaune": "yellow", "dore": "gold", "doree": "gold",
    "or": "gold", "argent": "silver", "argente": "silver", "rose": "pink", "violet": "purple", "violette": "purple",
    "gris": "grey", "grise": "grey", "marron": "brown", "brun": "brown", "brune": "brown", "grand": "big",
    "grande": "big", "petit": "small", "petite": "small", "vieux": "old", "vieille": "old", "haut": "tall",
    "haute": "tall", "pierre": "stone", "bois": "wooden", "verre": "glass", "moderne": "modern",
}
