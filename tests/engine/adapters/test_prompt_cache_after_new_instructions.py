"""Prompt parts cached on a signature never outlive a change of its instructions, even when the
change lands while another thread is building the prompt."""

from __future__ import annotations

import dspex


def test_new_instructions_show_up_in_the_next_prompt():
    sig = dspex.Signature("question -> answer")
    adapter = dspex.ChatAdapter()
    adapter.format(sig, [], {"question": "q"})

    sig.instructions = "Answer tersely."

    assert adapter.format(sig, [], {"question": "q"})[0]["content"].endswith("Answer tersely.")


def test_a_prompt_built_from_old_instructions_is_not_cached_for_the_new_ones():
    sig = dspex.Signature("question -> answer", "Old instructions.")

    class InterruptedAdapter(dspex.ChatAdapter):
        """The first time, another thread (simulated) sets new instructions mid-build."""

        interrupted = False

        def format_task_description(self, signature):
            text = super().format_task_description(signature)
            if not self.interrupted:
                self.interrupted = True
                signature.instructions = "New instructions."
            return text

    adapter = InterruptedAdapter()
    assert adapter.format_system_message(sig).endswith("Old instructions.")

    assert adapter.format_system_message(sig).endswith("New instructions.")
