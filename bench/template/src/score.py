# Stand-in scoring script for the benchmark baseline; never deployed.
def init():
    pass


def run(raw_data):
    return raw_data
