async def test_commands_are_registered_and_join_works(h):
    names = {c["name"] for c in h.fake.commands[None]}
    assert {"join", "leave", "progress", "done", "skip", "goto", "roadmap", "topic", "cohort"} <= names
    await h.create_cohort()
    reply = await h.run(h.alice, "join", cohort="spring")
    assert "You joined **spring**" in reply.message.content
    assert reply.message.ephemeral
