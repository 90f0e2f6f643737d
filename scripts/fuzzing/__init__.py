"""The fuzzer's parts (scripts/fuzz.py runs them): running one command under limits and
naming its outcome (`running`), and one module per kind of input: sources for the
readers (`sources`), hand-edited scripts (`edited`), lexicons (`lexicons`), metadata
files (`metadata`) and damaged output folders (`folders`), all but the first made from
one small book built at the start (`book`)."""
