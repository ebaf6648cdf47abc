"""Install mmtrack_ext: ``pip install -e .`` (add ``[tests]`` for the tests)."""
import os
import os.path as osp
import site
import sysconfig

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def installed_distributions():
    """Names of the distributions installed in the target environment.

    pip builds in an isolated environment whose ``sys.path`` hides the
    target's site-packages, so look at the target's directories directly.
    """
    from importlib import metadata
    paths = {sysconfig.get_paths()[k] for k in ('purelib', 'platlib')}
    try:
        paths.add(site.getusersitepackages())
    except Exception:  # pragma: no cover - site without user site
        pass
    names = set()
    for dist in metadata.distributions(path=[p for p in paths if osp.isdir(p)]):
        name = dist.metadata['Name'] or ''
        names.add(name.lower().replace('_', '-'))
    return names


def parse_requirements(fname):
    """Requirements of ``requirements/{fname}``.

    ``mmcv-lite`` is the default provider of ``mmcv`` (mmtrack_ext needs no
    compiled ops); an environment that already has the full ``mmcv`` keeps it.
    """
    with open(osp.join(HERE, 'requirements', fname)) as f:
        reqs = [line.strip() for line in f
                if line.strip() and not line.startswith('#')]
    if os.environ.get('MMTRACK_EXT_KEEP_MMCV_LITE') != '1':
        have = installed_distributions()
        if have & {'mmcv', 'mmcv-full'}:
            reqs = [r for r in reqs if not r.startswith('mmcv-lite')]
    return reqs


def get_version():
    scope = {}
    with open(osp.join(HERE, 'mmtrack_ext', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


setup(
    name='mmtrack_ext',
    version=get_version(),
    description='Single-object tracking toolbox built as MMEngine plugins',
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('tests', 'tests.*', 'configs', 'tools')),
    include_package_data=True,
    package_data={'mmtrack_ext': ['**/*.txt', '**/*.json']},
    python_requires='>=3.8',
    install_requires=parse_requirements('runtime.txt'),
    extras_require={
        'tests': parse_requirements('tests.txt'),
        'optional': parse_requirements('optional.txt'),
    },
    license='Apache License 2.0',
    zip_safe=False,
)
