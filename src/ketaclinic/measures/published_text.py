"""Published item wording where the licence lets it ship: PHQ-9, GAD-7, QIDS-SR16, PCL-5, and
the publisher's Spanish PHQ-9 and GAD-7."""

# Licence basis (see docs/measures.md): PHQ-9 and GAD-7 free to reproduce (Pfizer), PCL-5 public
# domain (National Center for PTSD), QIDS-SR16 free per secondary sources (verify). MADRS, CADSS-6,
# C-SSRS and MOAA/S text is NOT here: a clinic loads its licensed text with
# `ketaclinic load_instrument_text FILE`.

PHQ_OPTIONS = ("Not at all", "Several days", "More than half the days", "Nearly every day")

PHQ9_INSTRUCTIONS = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)

PHQ9_ITEMS = {
    "1": "Little interest or pleasure in doing things",
    "2": "Feeling down, depressed, or hopeless",
    "3": "Trouble falling or staying asleep, or sleeping too much",
    "4": "Feeling tired or having little energy",
    "5": "Poor appetite or overeating",
    "6": (
        "Feeling bad about yourself \u2014 or that you are a failure or have let yourself "
        "or your family down"
    ),
    "7": "Trouble concentrating on things, such as reading the newspaper or watching television",
    "8": (
        "Moving or speaking so slowly that other people could have noticed? Or the opposite "
        "\u2014 being so fidgety or restless that you have been moving around a lot more "
        "than usual"
    ),
    "9": "Thoughts that you would be better off dead or of hurting yourself in some way",
    "10": (
        "If you checked off any problems, how difficult have these problems made it for you "
        "to do your work, take care of things at home, or get along with other people?"
    ),
}

PHQ9_FUNCTIONAL_OPTIONS = (
    "Not difficult at all",
    "Somewhat difficult",
    "Very difficult",
    "Extremely difficult",
)

GAD7_INSTRUCTIONS = (
    "Over the last 2 weeks, how often have you been bothered by the following problems?"
)

GAD7_ITEMS = {
    "1": "Feeling nervous, anxious or on edge",
    "2": "Not being able to stop or control worrying",
    "3": "Worrying too much about different things",
    "4": "Trouble relaxing",
    "5": "Being so restless that it is hard to sit still",
    "6": "Becoming easily annoyed or irritable",
    "7": "Feeling afraid as if something awful might happen",
}

QIDS_INSTRUCTIONS = (
    "Choose the one response to each item that best describes you for the past seven days."
)

# item key -> (published heading, anchors for 0..3)
QIDS_SR16_ITEMS = {
    "1": (
        "Falling asleep",
        (
            "I never take longer than 30 minutes to fall asleep.",
            "I take at least 30 minutes to fall asleep, less than half the time.",
            "I take at least 30 minutes to fall asleep, more than half the time.",
            "I take more than 60 minutes to fall asleep, more than half the time.",
        ),
    ),
    "2": (
        "Sleep during the night",
        (
            "I do not wake up at night.",
            "I have a restless, light sleep with a few brief awakenings each night.",
            "I wake up at least once a night, but I go back to sleep easily.",
            "I awaken more than once a night and stay awake for 20 minutes or more, "
            "more than half the time.",
        ),
    ),
    "3": (
        "Waking up too early",
        (
            "Most of the time, I awaken no more than 30 minutes before I need to get up.",
            "More than half the time, I awaken more than 30 minutes before I need to get up.",
            "I almost always awaken at least one hour or so before I need to, but I go back "
            "to sleep eventually.",
            "I awaken at least one hour before I need to, and can't go back to sleep.",
        ),
    ),
    "4": (
        "Sleeping too much",
        (
            "I sleep no longer than 7-8 hours/night, without napping during the day.",
            "I sleep no longer than 10 hours in a 24-hour period including naps.",
            "I sleep no longer than 12 hours in a 24-hour period including naps.",
            "I sleep longer than 12 hours in a 24-hour period including naps.",
        ),
    ),
    "5": (
        "Feeling sad",
        (
            "I do not feel sad.",
            "I feel sad less than half the time.",
            "I feel sad more than half the time.",
            "I feel sad nearly all of the time.",
        ),
    ),
    "6": (
        "Decreased appetite",
        (
            "There is no change in my usual appetite.",
            "I eat somewhat less often or lesser amounts of food than usual.",
            "I eat much less than usual and only with personal effort.",
            "I rarely eat within a 24-hour period, and only with extreme personal effort or "
            "when others persuade me to eat.",
        ),
    ),
    "7": (
        "Increased appetite",
        (
            "There is no change from my usual appetite.",
            "I feel a need to eat more frequently than usual.",
            "I regularly eat more often and/or greater amounts of food than usual.",
            "I feel driven to overeat both at mealtime and between meals.",
        ),
    ),
    "8": (
        "Decreased weight (within the last two weeks)",
        (
            "I have not had a change in my weight.",
            "I feel as if I've had a slight weight loss.",
            "I have lost 2 pounds or more.",
            "I have lost 5 pounds or more.",
        ),
    ),
    "9": (
        "Increased weight (within the last two weeks)",
        (
            "I have not had a change in my weight.",
            "I feel as if I've had a slight weight gain.",
            "I have gained 2 pounds or more.",
            "I have gained 5 pounds or more.",
        ),
    ),
    "10": (
        "Concentration / decision making",
        (
            "There is no change in my usual capacity to concentrate or make decisions.",
            "I occasionally feel indecisive or find that my attention wanders.",
            "Most of the time, I struggle to focus my attention or to make decisions.",
            "I cannot concentrate well enough to read or cannot make even minor decisions.",
        ),
    ),
    "11": (
        "View of myself",
        (
            "I see myself as equally worthwhile and deserving as other people.",
            "I am more self-blaming than usual.",
            "I largely believe that I cause problems for others.",
            "I think almost constantly about major and minor defects in myself.",
        ),
    ),
    "12": (
        "Thoughts of death or suicide",
        (
            "I do not think of suicide or death.",
            "I feel that life is empty or wonder if it's worth living.",
            "I think of suicide or death several times a week for several minutes.",
            "I think of suicide or death several times a day in some detail, or I have made "
            "specific plans for suicide or have actually tried to take my life.",
        ),
    ),
    "13": (
        "General interest",
        (
            "There is no change from usual in how interested I am in other people or activities.",
            "I notice that I am less interested in people or activities.",
            "I find I have interest in only one or two of my formerly pursued activities.",
            "I have virtually no interest in formerly pursued activities.",
        ),
    ),
    "14": (
        "Energy level",
        (
            "There is no change in my usual level of energy.",
            "I get tired more easily than usual.",
            "I have to make a big effort to start or finish my usual daily activities (for "
            "example, shopping, homework, cooking or going to work).",
            "I really cannot carry out most of my usual daily activities because I just don't "
            "have the energy.",
        ),
    ),
    "15": (
        "Feeling slowed down",
        (
            "I think, speak, and move at my usual rate of speed.",
            "I find that my thinking is slowed down or my voice sounds dull or flat.",
            "It takes me several seconds to respond to most questions and I'm sure my "
            "thinking is slowed.",
            "I am often unable to respond to questions without extreme effort.",
        ),
    ),
    "16": (
        "Feeling restless",
        (
            "I do not feel restless.",
            "I'm often fidgety, wringing my hands, or need to shift how I am sitting.",
            "I have impulses to move about and am quite restless.",
            "At times, I am unable to stay seated and need to pace around.",
        ),
    ),
}

PCL5_OPTIONS = ("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely")

PCL5_INSTRUCTIONS = (
    "Below is a list of problems that people sometimes have in response to a very stressful "
    "experience. Please read each problem carefully and then choose one of the answers to "
    "indicate how much you have been bothered by that problem in the past month. "
    "In the past month, how much were you bothered by:"
)

PCL5_ITEMS = {
    "1": "Repeated, disturbing, and unwanted memories of the stressful experience?",
    "2": "Repeated, disturbing dreams of the stressful experience?",
    "3": (
        "Suddenly feeling or acting as if the stressful experience were actually happening "
        "again (as if you were actually back there reliving it)?"
    ),
    "4": "Feeling very upset when something reminded you of the stressful experience?",
    "5": (
        "Having strong physical reactions when something reminded you of the stressful "
        "experience (for example, heart pounding, trouble breathing, sweating)?"
    ),
    "6": "Avoiding memories, thoughts, or feelings related to the stressful experience?",
    "7": (
        "Avoiding external reminders of the stressful experience (for example, people, "
        "places, conversations, activities, objects, or situations)?"
    ),
    "8": "Trouble remembering important parts of the stressful experience?",
    "9": (
        "Having strong negative beliefs about yourself, other people, or the world (for "
        "example, having thoughts such as: I am bad, there is something seriously wrong with "
        "me, no one can be trusted, the world is completely dangerous)?"
    ),
    "10": (
        "Blaming yourself or someone else for the stressful experience or what happened after it?"
    ),
    "11": "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
    "12": "Loss of interest in activities that you used to enjoy?",
    "13": "Feeling distant or cut off from other people?",
    "14": (
        "Trouble experiencing positive feelings (for example, being unable to feel happiness "
        "or have loving feelings for people close to you)?"
    ),
    "15": "Irritable behavior, angry outbursts, or acting aggressively?",
    "16": "Taking too many risks or doing things that could cause you harm?",
    "17": 'Being "superalert" or watchful or on guard?',
    "18": "Feeling jumpy or easily startled?",
    "19": "Having difficulty concentrating?",
    "20": "Trouble falling or staying asleep?",
}

# --- Spanish -----------------------------------------------------------------------------------
# The publisher's official Spanish versions for the USA (Pfizer Inc., phqscreeners.com), which
# state: "No se requiere permiso para reproducir, traducir, presentar o distribuir." The wording
# is the forms' own, character for character (including their "(a)" and "/a" forms and their
# dashes); answer values are the English form's, so scoring does not change.

PHQ_ES_OPTIONS = ("Ningún día", "Varios días", "Más de la mitad de los días", "Casi todos los días")

PHQ9_ES_INSTRUCTIONS = (
    "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los "
    "siguientes problemas?"
)

PHQ9_ES_ITEMS = {
    "1": "Poco interés o placer en hacer cosas",
    "2": "Se ha sentido decaído(a), deprimido(a) o sin esperanzas",
    "3": "Ha tenido dificultad para quedarse o permanecer dormido(a), o ha dormido demasiado",
    "4": "Se ha sentido cansado(a) o con poca energía",
    "5": "Sin apetito o ha comido en exceso",
    "6": (
        "Se ha sentido mal con usted mismo(a) \u2013 o que es un fracaso o que ha quedado mal "
        "con usted mismo(a) o con su familia"
    ),
    "7": (
        "Ha tenido dificultad para concentrarse en ciertas actividades, tales como leer el "
        "periódico o ver la televisión"
    ),
    "8": (
        "¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? o lo "
        "contrario \u2013 muy inquieto(a) o agitado(a) que ha estado moviéndose mucho más de "
        "lo normal"
    ),
    "9": "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera",
    "10": (
        "Si marcó cualquiera de los problemas, ¿qué tanta dificultad le han dado estos problemas "
        "para hacer su trabajo, encargarse de las tareas del hogar, o llevarse bien con otras "
        "personas?"
    ),
}

PHQ9_ES_FUNCTIONAL_OPTIONS = (
    "No ha sido difícil",
    "Un poco difícil",
    "Muy difícil",
    "Extremadamente difícil",
)

GAD7_ES_OPTIONS = ("Nunca", "Varios días", "Más de la mitad de los días", "Casi todos los días")

GAD7_ES_INSTRUCTIONS = (
    "Durante las últimas 2 semanas, ¿con qué frecuencia le han molestado los siguientes problemas?"
)

GAD7_ES_ITEMS = {
    "1": "Sentirse nervioso/a, intranquilo/a o con los nervios de punta",
    "2": "No poder dejar de preocuparse o no poder controlar la preocupación",
    "3": "Preocuparse demasiado por diferentes cosas",
    "4": "Dificultad para relajarse",
    "5": "Estar tan inquieto/a que es difícil permanecer sentado/a tranquilamente",
    "6": "Molestarse o ponerse irritable fácilmente",
    "7": "Sentir miedo como si algo terrible pudiera pasar",
}
