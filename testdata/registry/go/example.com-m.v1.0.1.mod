retract (
    v1.0.0 // Published accidentally.
    v1.0.1 // Contains retractions only.
)
