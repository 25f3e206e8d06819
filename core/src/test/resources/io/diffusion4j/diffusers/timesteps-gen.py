# Generates timesteps.json: the timesteps of every diffusers scheduler class for several (T, N), spacings and options.
# Run with python3 + torch + numpy, with diffusers' src/diffusers/schedulers/*.py importable as diffusers.schedulers
# (configuration_utils and utils may be minimal stand-ins: only the classes' own set_timesteps code matters).
#   python3 timesteps-gen.py timesteps.json
import sys, json, inspect, importlib, warnings, logging
sys.path.insert(0, '.')  # the folder that holds the diffusers package
logging.disable(logging.CRITICAL)
classes = [("scheduling_ddim","DDIMScheduler"),("scheduling_ddpm","DDPMScheduler"),("scheduling_pndm","PNDMScheduler"),
 ("scheduling_euler_discrete","EulerDiscreteScheduler"),("scheduling_euler_ancestral_discrete","EulerAncestralDiscreteScheduler"),
 ("scheduling_heun_discrete","HeunDiscreteScheduler"),("scheduling_lms_discrete","LMSDiscreteScheduler"),
 ("scheduling_k_dpm_2_discrete","KDPM2DiscreteScheduler"),("scheduling_flow_match_euler_discrete","FlowMatchEulerDiscreteScheduler"),
 ("scheduling_lcm","LCMScheduler"),("scheduling_tcd","TCDScheduler"),("scheduling_unipc_multistep","UniPCMultistepScheduler"),
 ("scheduling_deis_multistep","DEISMultistepScheduler"),("scheduling_dpmsolver_singlestep","DPMSolverSinglestepScheduler"),
 ("scheduling_dpmsolver_multistep","DPMSolverMultistepScheduler")]
pairs = [(1000,10),(1000,7),(1000,48),(1100,13),(16,6)]
cases=[]
for mod, cls in classes:
    C = getattr(importlib.import_module("diffusers.schedulers."+mod), cls)
    params = inspect.signature(C.__init__).parameters
    spacings = ["leading","trailing","linspace"] if "timestep_spacing" in params else [None]
    for T, N in pairs:
        for sp in spacings:
            for offset in ([0, 1] if sp == "leading" and "steps_offset" in params else [0]):
                cfg = {"num_train_timesteps": T}
                if sp is not None: cfg["timestep_spacing"] = sp
                if offset: cfg["steps_offset"] = offset
                if cls in ("LCMScheduler","TCDScheduler") and T < 50: cfg["original_inference_steps"] = T
                extra = [{}]
                if cls in ("PNDMScheduler",): extra = [{}, {"skip_prk_steps": True}]
                if cls in ("EulerDiscreteScheduler","HeunDiscreteScheduler","DPMSolverMultistepScheduler","UniPCMultistepScheduler","KDPM2DiscreteScheduler","LMSDiscreteScheduler") and T == 1000 and N in (10, 7):
                    extra = [{}, {"use_karras_sigmas": True}]
                if cls == "FlowMatchEulerDiscreteScheduler": extra = [{}, {"shift": 3.0}]
                for e in extra:
                    c = dict(cfg); c.update(e)
                    try:
                        s = C(**c)
                        s.set_timesteps(N)
                        ts = [float(x) for x in s.timesteps]
                        cases.append({"class": cls, "config": c, "steps": N, "timesteps": ts})
                    except Exception as ex:
                        cases.append({"class": cls, "config": c, "steps": N, "error": type(ex).__name__ + ": " + str(ex)[:200]})
out = {"source": "diffusers commit 58eb52c0803ea9af3abec60841c2a093bdf1f951: each class's own set_timesteps, run with torch 1.13.1 and numpy (Debian python3) by timesteps-gen.py beside this file",
       "cases": cases}
json.dump(out, open(sys.argv[1], "w"), indent=0)
print(len(cases), "cases", sum(1 for c in cases if "error" in c), "errors")
