from __future__ import annotations

import pytest


@pytest.fixture
def qa_dataset_version(qa_signature, user):
    from datasets.services import dataset_create, dataset_import

    dataset = dataset_create(name="qa", signature=qa_signature, owner=user)
    return dataset_import(
        dataset=dataset,
        file=b'{"question": "Capital of France?", "answer": "Paris"}\n'
        b'{"question": "Capital of Italy?", "answer": "Rome", "split": "dev"}\n'
        b'{"question": "Capital of Spain?", "answer": "Madrid", "split": "dev"}\n',
    )


CAPITALS = {
    "France": "Paris",
    "Italy": "Rome",
    "Spain": "Madrid",
    "Germany": "Berlin",
    "Japan": "Tokyo",
}


@pytest.fixture
def capitals_version(qa_signature, user):
    """Three train and two dev questions about capitals."""
    import json

    from datasets.services import dataset_create, dataset_import

    dataset = dataset_create(name="capitals", signature=qa_signature, owner=user)
    lines = [
        json.dumps({"question": f"Capital of {country}?", "answer": city, "split": split})
        for (country, city), split in zip(CAPITALS.items(), ["train", "train", "train", "dev", "dev"])
    ]
    return dataset_import(dataset=dataset, file="\n".join(lines).encode())


@pytest.fixture
def demo_dependent_stub(openai_stub):
    """An LM that answers right only when the prompt carries demos (so optimizing helps)."""

    def respond(request):
        messages = request.json["messages"]
        question = messages[-1]["content"].split("\n")[1]
        country = question.removeprefix("Capital of ").rstrip("?")
        answer = CAPITALS.get(country, "Nowhere") if len(messages) > 2 else "I do not know"
        return f"[[ ## answer ## ]]\n{answer}\n\n[[ ## completed ## ]]"

    openai_stub.responder = respond
    return openai_stub
