# Generates loops.json: full-loop results of diffusers' deterministic scheduler classes at several step counts.
# Run with python3 + torch + numpy, with diffusers' src/diffusers/schedulers/*.py importable as diffusers.schedulers
# (configuration_utils and utils may be minimal stand-ins). scipy's quad (LMS) is replaced by an exact Gauss-Legendre rule.
#   python3 loops-gen.py loops.json
# Fresh full-loop numbers from diffusers' own scheduler classes (the deterministic ones), with the
# suite's dummy model and deterministic sample, in the pipeline loop users write:
#   sample = dummy * init_noise_sigma; for t: out = model(scale_model_input(sample, t), t); sample = step(out, t, sample).prev_sample
import sys, json, importlib, logging, torch
sys.path.insert(0, '.')
logging.disable(logging.CRITICAL)

def deter():
    n = 4 * 3 * 8 * 8
    return (torch.arange(n).reshape(3, 8, 8, 4) / n).permute(3, 0, 1, 2)

def model(x, t):
    t = torch.as_tensor(t).reshape(-1, 1, 1, 1).to(x.dtype)
    return x * t / (t + 1)

C = {}
import numpy as np
class _Integrate:
    """scipy.integrate.quad stand-in: 8-point Gauss-Legendre, exact for the LMS Lagrange polynomials (degree <= 7)."""
    @staticmethod
    def quad(f, a, b, epsrel=None):
        x, w = np.polynomial.legendre.leggauss(8)
        a = float(a); b = float(b)
        return (0.5 * (b - a) * sum(wi * f(0.5 * (b - a) * xi + 0.5 * (b + a)) for xi, wi in zip(x, w)), 0.0)
import diffusers.schedulers.scheduling_lms_discrete as _lms
_lms.integrate = _Integrate
def cls(mod, name):
    return getattr(importlib.import_module("diffusers.schedulers." + mod), name)

cases = []
vp = {"num_train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02, "beta_schedule": "linear"}
sd = {"num_train_timesteps": 1000, "beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear"}
plans = [
 ("scheduling_ddim", "DDIMScheduler", [dict(vp), dict(vp, timestep_spacing="trailing"), dict(sd, prediction_type="v_prediction", clip_sample=False, set_alpha_to_one=False, steps_offset=1)]),
 ("scheduling_ddim_inverse", "DDIMInverseScheduler", [dict(vp), dict(vp, timestep_spacing="trailing")]),
 ("scheduling_pndm", "PNDMScheduler", [dict(vp), dict(sd, skip_prk_steps=True, steps_offset=1, set_alpha_to_one=False)]),
 ("scheduling_dpmsolver_multistep", "DPMSolverMultistepScheduler", [dict(vp), dict(vp, use_karras_sigmas=True), dict(vp, solver_order=3), dict(sd, prediction_type="v_prediction", timestep_spacing="trailing"), dict(vp, solver_type="heun", final_sigmas_type="sigma_min", lower_order_final=False)]),
 ("scheduling_dpmsolver_multistep_inverse", "DPMSolverMultistepInverseScheduler", [dict(vp)]),
 ("scheduling_dpmsolver_singlestep", "DPMSolverSinglestepScheduler", [dict(vp), dict(vp, solver_order=3)]),
 ("scheduling_deis_multistep", "DEISMultistepScheduler", [dict(vp), dict(vp, solver_order=3)]),
 ("scheduling_unipc_multistep", "UniPCMultistepScheduler", [dict(vp), dict(vp, use_karras_sigmas=True), dict(vp, solver_type="bh1", solver_order=3)]),
 ("scheduling_euler_discrete", "EulerDiscreteScheduler", [dict(vp), dict(sd, timestep_spacing="leading", steps_offset=1), dict(vp, use_karras_sigmas=True), dict(vp, prediction_type="v_prediction", timestep_spacing="trailing")]),
 ("scheduling_heun_discrete", "HeunDiscreteScheduler", [dict(vp), dict(vp, use_karras_sigmas=True)]),
 ("scheduling_lms_discrete", "LMSDiscreteScheduler", [dict(vp), dict(vp, use_karras_sigmas=True)]),
 ("scheduling_k_dpm_2_discrete", "KDPM2DiscreteScheduler", [dict(vp), dict(vp, use_karras_sigmas=True)]),
 ("scheduling_edm_euler", "EDMEulerScheduler", [{}]),
 ("scheduling_edm_dpmsolver_multistep", "EDMDPMSolverMultistepScheduler", [{}, {"solver_order": 3}]),
 ("scheduling_flow_match_euler_discrete", "FlowMatchEulerDiscreteScheduler", [{}, {"shift": 3.0}]),
]
for mod, name, configs in plans:
    K = cls(mod, name)
    for cfg in configs:
        for n in (6, 25, 50):
            s = K(**cfg)
            s.set_timesteps(n)
            sample = deter() * getattr(s, "init_noise_sigma", 1.0)
            for t in s.timesteps:
                out = model(s.scale_model_input(sample, t) if hasattr(s, "scale_model_input") else sample, t)
                sample = s.step(out, t, sample).prev_sample
            a = torch.abs(sample.double())
            cases.append({"class": name, "config": cfg, "steps": n, "sum": float(a.sum()), "mean": float(a.mean())})
json.dump({"source": "diffusers commit 58eb52c0803ea9af3abec60841c2a093bdf1f951, the classes' own code run with torch 1.13.1 (float32) by loops-gen.py beside this file", "cases": cases}, open(sys.argv[1], "w"), indent=0)
print(len(cases))
