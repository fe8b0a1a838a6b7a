# Makes test/fixtures/linear/: iris, wine and breast-cancer as CSV (features…, label) and
# scikit-learn's optimum for each case in reference.json. Run once with Debian's
# python3-sklearn (`/usr/bin/python3 scripts/sklearn-fixtures.py`); npm test only reads the output.
# Each case: a stratified 75/25 split (seed 0), features standardised on the training rows
# (StandardScaler), LogisticRegression solved far past its default tolerance; and diabetes
# (regression) with Lasso / ElasticNet on the same kind of split; and a StackingClassifier
# on wine over two feature-group experts with explicit folds (training row i in fold i % 5); and
# raw (unscaled) features with penalty l2.
import json, time, warnings
from pathlib import Path
import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import StackingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

out = Path(__file__).resolve().parent.parent / 'test' / 'fixtures' / 'linear'
out.mkdir(parents=True, exist_ok=True)
sets = {'iris': load_iris(), 'wine': load_wine(), 'breast-cancer': load_breast_cancer()}
cases = [
    ('iris', 'l2', 1.0, None), ('iris', 'l1', 1.0, None), ('iris', 'elasticnet', 1.0, 0.5),
    ('wine', 'l2', 1.0, None), ('wine', 'l1', 0.1, None),
    ('breast-cancer', 'l2', 1.0, None), ('breast-cancer', 'l1', 1.0, None), ('breast-cancer', 'l1', 0.1, None),
    ('breast-cancer', 'elasticnet', 0.5, 0.5),
]

def objective(coef, intercept, x, y, penalty, C, l1_ratio):
    """Per-row form: mean loss + l1·‖W‖₁ + (l2/2)·‖W‖², l1 = ρ/(C·n), l2 = (1 − ρ)/(C·n)."""
    n = len(y)
    z = x @ coef.T + intercept
    if coef.shape[0] == 1:
        z = z[:, 0]
        loss = np.mean(np.logaddexp(0, z) - y * z)
    else:
        m = z.max(axis=1, keepdims=True)
        lse = (m[:, 0] + np.log(np.exp(z - m).sum(axis=1)))
        loss = np.mean(lse - z[np.arange(n), y])
    rho = {'l2': 0.0, 'l1': 1.0, 'elasticnet': l1_ratio}[penalty]
    return float(loss + rho / (C * n) * np.abs(coef).sum() + 0.5 * (1 - rho) / (C * n) * (coef ** 2).sum())

splits, refs = {}, []
for name, ds in sets.items():
    x, y = ds.data, ds.target
    np.savetxt(out / f'{name}.csv', np.column_stack([x, y]), delimiter=',', fmt='%.10g')
    train, test = train_test_split(np.arange(len(y)), test_size=0.25, random_state=0, stratify=y)
    splits[name] = {'train': train.tolist(), 'test': test.tolist()}
    sc = StandardScaler().fit(x[train])
    xtr, xte = sc.transform(x[train]), sc.transform(x[test])
    t0 = time.perf_counter()
    default = LogisticRegression().fit(xtr, y[train])
    splits[name]['default'] = {'accuracy': float(default.score(xte, y[test])), 'iterations': int(default.n_iter_.max()), 'seconds': time.perf_counter() - t0}
    for set_name, penalty, C, l1_ratio in [c for c in cases if c[0] == name]:
        solver = 'lbfgs' if penalty == 'l2' else 'saga'
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', ConvergenceWarning)
            m = LogisticRegression(penalty=penalty, C=C, l1_ratio=l1_ratio, solver=solver, tol=1e-12, max_iter=200000).fit(xtr, y[train])
        coef = m.coef_.copy()
        # saga approaches zeros without landing on them: snap what the optimality condition says is zero.
        if penalty != 'l2':
            coef[np.abs(coef) < 1e-8] = 0
        refs.append({
            'set': set_name, 'penalty': penalty, 'C': C, 'l1Ratio': l1_ratio, 'solver': solver,
            'objective': objective(coef, m.intercept_, xtr, y[train], penalty, C, l1_ratio or 0),
            'nonZero': int((coef != 0).sum()), 'weights': int(coef.size),
            'zeros': np.argwhere(coef.T.reshape(-1) == 0)[:, 0].tolist(),
            'accuracy': float(m.score(xte, y[test])), 'iterations': int(np.max(m.n_iter_)),
        })
# Raw (unscaled) features, penalty l2: what a new user passes in; lbfgs in float64 gets there.
raw = []
for name in ['iris', 'wine', 'breast-cancer']:
    x, y = sets[name].data, sets[name].target
    train = np.array(splits[name]['train'])
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConvergenceWarning)
        m = LogisticRegression(C=1.0, tol=1e-12, max_iter=1000000).fit(x[train], y[train])
    raw.append({'set': name, 'penalty': 'l2', 'C': 1.0, 'objective': objective(m.coef_, m.intercept_, x[train], y[train], 'l2', 1.0, 0), 'iterations': int(np.max(m.n_iter_))})
x, y = load_diabetes(return_X_y=True)
np.savetxt(out / 'diabetes.csv', np.column_stack([x, y]), delimiter=',', fmt='%.10g')
train, test = train_test_split(np.arange(len(y)), test_size=0.25, random_state=0)
splits['diabetes'] = {'train': train.tolist(), 'test': test.tolist()}
sc = StandardScaler().fit(x[train])
xtr, xte = sc.transform(x[train]), sc.transform(x[test])
regression = []
for penalty, alpha, rho in [('l1', 1.0, 1.0), ('l1', 0.1, 1.0), ('elasticnet', 0.5, 0.5)]:
    m = (Lasso(alpha=alpha) if penalty == 'l1' else ElasticNet(alpha=alpha, l1_ratio=rho)).set_params(tol=1e-12, max_iter=1000000).fit(xtr, y[train])
    r = y[train] - xtr @ m.coef_ - m.intercept_
    regression.append({
        'set': 'diabetes', 'penalty': penalty, 'alpha': alpha, 'l1Ratio': rho if penalty == 'elasticnet' else None,
        'objective': float(0.5 * np.mean(r ** 2) + alpha * rho * np.abs(m.coef_).sum() + 0.5 * alpha * (1 - rho) * (m.coef_ ** 2).sum()),
        'nonZero': int((m.coef_ != 0).sum()), 'weights': int(m.coef_.size), 'zeros': np.argwhere(m.coef_ == 0)[:, 0].tolist(),
        'r2': float(m.score(xte, y[test])),
    })
x, y = sets['wine'].data, sets['wine'].target
train, test = np.array(splits['wine']['train']), np.array(splits['wine']['test'])
sc = StandardScaler().fit(x[train])
xtr, xte = sc.transform(x[train]), sc.transform(x[test])
groups = [list(range(0, 6)), list(range(6, 13))]
folds = [(np.flatnonzero(np.arange(len(train)) % 5 != f), np.flatnonzero(np.arange(len(train)) % 5 == f)) for f in range(5)]
expert = lambda g: make_pipeline(ColumnTransformer([('g', 'passthrough', g)]), LogisticRegression(tol=1e-10, max_iter=10000))
stack = StackingClassifier([(f'e{i}', expert(g)) for i, g in enumerate(groups)], final_estimator=LogisticRegression(tol=1e-10, max_iter=10000),
                           cv=folds, stack_method='predict_proba').fit(xtr, y[train])
stacking = {'set': 'wine', 'groups': groups, 'folds': 5, 'proba': stack.predict_proba(xte).round(8).tolist(), 'accuracy': float(stack.score(xte, y[test]))}
(out / 'reference.json').write_text(json.dumps({'sklearn': __import__('sklearn').__version__, 'splits': splits, 'cases': refs, 'raw': raw, 'regression': regression, 'stacking': stacking}, indent=1) + '\n')
for r in refs:
    print(r['set'], r['penalty'], r['C'], 'objective', round(r['objective'], 6), 'nonzero', r['nonZero'], '/', r['weights'], 'acc', r['accuracy'], 'iter', r['iterations'])
print('stacking', stacking['accuracy'])
for r in raw:
    print('raw', r['set'], 'objective', r['objective'], 'iterations', r['iterations'])
for r in regression:
    print(r['set'], r['penalty'], r['alpha'], 'objective', round(r['objective'], 4), 'nonzero', r['nonZero'], 'r2', round(r['r2'], 4))
print({k: v['default'] for k, v in splits.items() if 'default' in v})
