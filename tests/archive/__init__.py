"""The archive, in its wings (kept, store, plan, fetch, observe, present, function, cli); its settings at the top."""
