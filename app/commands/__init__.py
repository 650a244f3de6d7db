"""Use cases: one command per thing a person (or a job) does, each validating its input and then
running inside a unit of work that commits once and fires what must follow the commit. Views, REST
actions, jobs and the CLI all call the same command."""
