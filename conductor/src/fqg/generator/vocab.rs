//! The words generated puzzles are named with. Training and held-out puzzles draw from two
//! disjoint vocabularies (a household for training, a space station for held-out), so a policy
//! is evaluated on function names, facts and stories it never saw.

/// Which puzzles: those a policy trains on, or those it is judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// Training puzzles: even seed stream, household vocabulary.
    Train,
    /// Held-out puzzles: odd seed stream, space-station vocabulary.
    Heldout,
}

impl Split {
    /// Its name, as in `--split`.
    pub fn name(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Heldout => "heldout",
        }
    }
}

/// One vocabulary.
#[derive(Debug)]
pub struct Vocab {
    /// Verbs for function names.
    pub verbs: &'static [&'static str],
    /// Nouns for functions, facts and objects.
    pub nouns: &'static [&'static str],
    /// States a noun can be in.
    pub states: &'static [&'static str],
    /// Names of object types.
    pub types: &'static [&'static str],
    /// Story openings.
    pub stories: &'static [&'static str],
    /// Words that end a description.
    pub manners: &'static [&'static str],
}

/// The training vocabulary (a household).
pub const TRAIN: Vocab = Vocab {
    verbs: &[
        "open", "fetch", "clean", "heat", "cut", "mix", "fill", "pour", "polish", "paint", "sort",
        "wash", "fold", "stack", "tie", "wrap", "light", "seal", "press", "carry", "sweep",
        "water", "plant", "dig", "mend", "brush", "stir", "hang", "peel", "knead",
    ],
    nouns: &[
        "fridge", "kettle", "basket", "lamp", "ladder", "bucket", "drawer", "rope", "jar", "oven",
        "broom", "chair", "table", "window", "shelf", "carpet", "teapot", "apron", "barrel",
        "candle", "fence", "hammer", "nail", "spoon", "plate", "towel", "blanket", "wagon",
        "pillow", "curtain", "kitchen", "cellar", "garden", "pantry", "boot", "glove",
    ],
    states: &[
        "open", "clean", "full", "hot", "ready", "tidy", "shiny", "dry", "warm", "sorted", "fixed",
        "lit", "folded", "filled", "washed", "set",
    ],
    types: &["tool", "dish", "toy", "fruit"],
    stories: &[
        "Grandma is visiting this afternoon and the house must be ready",
        "The cottage was left in a mess after the storm",
        "It is baking day and the kitchen is cold",
        "The neighbours' party starts soon and you promised to help",
        "Spring cleaning has begun",
    ],
    manners: &[
        "",
        " carefully",
        " quickly",
        " by hand",
        " with care",
        " properly",
    ],
};

/// The held-out vocabulary (a space station): no word in common with [`TRAIN`]'s names.
pub const HELDOUT: Vocab = Vocab {
    verbs: &[
        "calibrate",
        "launch",
        "dock",
        "scan",
        "align",
        "boost",
        "decrypt",
        "vent",
        "prime",
        "synthesize",
        "route",
        "encode",
        "purge",
        "deploy",
        "stabilize",
        "ignite",
        "tune",
        "uplink",
        "compile",
        "shield",
        "orbit",
        "analyze",
        "charge",
        "anchor",
        "reboot",
        "splice",
        "survey",
        "flush",
        "refuel",
        "jettison",
    ],
    nouns: &[
        "reactor",
        "antenna",
        "probe",
        "airlock",
        "thruster",
        "sensor",
        "beacon",
        "capsule",
        "console",
        "module",
        "satellite",
        "laser",
        "turbine",
        "hatch",
        "rover",
        "drone",
        "cryopod",
        "relay",
        "gyroscope",
        "radar",
        "plasma",
        "comet",
        "conduit",
        "matrix",
        "telescope",
        "visor",
        "shuttle",
        "payload",
        "array",
        "booster",
        "harness",
        "hull",
        "reactorcore",
        "bulkhead",
        "manifold",
        "transponder",
    ],
    states: &[
        "calibrated",
        "aligned",
        "charged",
        "sealed",
        "primed",
        "stable",
        "online",
        "vented",
        "encoded",
        "docked",
        "armed",
        "active",
        "cooled",
        "synced",
        "boosted",
        "locked",
    ],
    types: &["sample", "cargo", "crystal", "signal"],
    stories: &[
        "The orbital station drifts toward the planet's shadow",
        "Mission control lost contact with the outer ring",
        "A solar storm knocked the station's systems offline",
        "The supply shuttle arrives within the hour",
        "Commander's orders: restore the research deck",
    ],
    manners: &[
        "",
        " remotely",
        " in sequence",
        " manually",
        " at low power",
        " on schedule",
    ],
};

impl Split {
    /// The split's vocabulary.
    pub fn vocab(self) -> &'static Vocab {
        match self {
            Split::Train => &TRAIN,
            Split::Heldout => &HELDOUT,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vocabularies_share_no_naming_word() {
        let held: Vec<&str> =
            [HELDOUT.verbs, HELDOUT.nouns, HELDOUT.states, HELDOUT.types].concat();
        for list in [TRAIN.verbs, TRAIN.nouns, TRAIN.states, TRAIN.types] {
            for word in list {
                assert!(!held.contains(word), "{word} is in both vocabularies");
            }
        }
    }
}
